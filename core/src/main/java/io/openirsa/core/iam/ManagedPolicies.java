package io.openirsa.core.iam;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * AWS managed policies that can be attached as on AWS, by ARN. Documents are the policies'
 * statements as AWS publishes them for the services that matter here, abbreviated where AWS lists
 * hundreds of services (ReadOnlyAccess keeps its read-only action patterns).
 */
public final class ManagedPolicies {
    public static final String PREFIX = "arn:aws:iam::aws:policy/";

    private static final String READ_ONLY_S3 = """
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]}""";

    private static final Map<String, String> DOCUMENTS = Map.ofEntries(
            Map.entry("AdministratorAccess", allow("\"*\"")),
            Map.entry("PowerUserAccess", """
                    {"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"}]}"""),
            Map.entry("ReadOnlyAccess", allow("[\"*:Describe*\",\"*:Get*\",\"*:List*\",\"*:BatchGet*\"]")),
            Map.entry("AmazonS3ReadOnlyAccess", READ_ONLY_S3),
            Map.entry("AmazonS3FullAccess", allow("[\"s3:*\",\"s3-object-lambda:*\"]")),
            Map.entry("IAMReadOnlyAccess", allow("[\"iam:GenerateCredentialReport\",\"iam:GenerateServiceLastAccessedDetails\",\"iam:Get*\",\"iam:List*\",\"iam:SimulateCustomPolicy\",\"iam:SimulatePrincipalPolicy\"]")),
            Map.entry("AmazonEC2ReadOnlyAccess", allow("[\"ec2:Describe*\",\"elasticloadbalancing:Describe*\",\"cloudwatch:ListMetrics\",\"cloudwatch:GetMetricStatistics\",\"cloudwatch:Describe*\",\"autoscaling:Describe*\"]")),
            Map.entry("AmazonDynamoDBReadOnlyAccess", allow("[\"dynamodb:BatchGetItem\",\"dynamodb:Describe*\",\"dynamodb:List*\",\"dynamodb:GetItem\",\"dynamodb:Query\",\"dynamodb:Scan\",\"dynamodb:PartiQLSelect\"]")),
            Map.entry("AmazonSQSReadOnlyAccess", allow("[\"sqs:GetQueueAttributes\",\"sqs:GetQueueUrl\",\"sqs:ListDeadLetterSourceQueues\",\"sqs:ListQueues\",\"sqs:ListMessageMoveTasks\",\"sqs:ListQueueTags\"]")),
            Map.entry("AmazonSNSReadOnlyAccess", allow("[\"sns:GetTopicAttributes\",\"sns:List*\",\"sns:CheckIfPhoneNumberIsOptedOut\",\"sns:GetEndpointAttributes\",\"sns:GetDataProtectionPolicy\",\"sns:GetPlatformApplicationAttributes\",\"sns:GetSMSAttributes\",\"sns:GetSMSSandboxAccountStatus\",\"sns:GetSubscriptionAttributes\"]")),
            Map.entry("CloudWatchReadOnlyAccess", allow("[\"cloudwatch:Describe*\",\"cloudwatch:Get*\",\"cloudwatch:List*\",\"logs:Get*\",\"logs:List*\",\"logs:Describe*\",\"logs:FilterLogEvents\",\"logs:StartQuery\",\"logs:StopQuery\",\"logs:TestMetricFilter\"]")),
            Map.entry("SecretsManagerReadWrite", allow("[\"secretsmanager:*\"]")),
            Map.entry("AmazonEKSClusterPolicy", allow("[\"ec2:Describe*\",\"ec2:CreateTags\",\"elasticloadbalancing:*\",\"kms:DescribeKey\"]")),
            Map.entry("AmazonEKSWorkerNodePolicy", allow("[\"ec2:DescribeInstances\",\"ec2:DescribeRouteTables\",\"ec2:DescribeSecurityGroups\",\"ec2:DescribeSubnets\",\"ec2:DescribeVolumes\",\"ec2:DescribeVpcs\",\"eks:DescribeCluster\",\"eks-auth:AssumeRoleForPodIdentity\"]")),
            Map.entry("AmazonEKS_CNI_Policy", allow("[\"ec2:AssignPrivateIpAddresses\",\"ec2:AttachNetworkInterface\",\"ec2:CreateNetworkInterface\",\"ec2:DeleteNetworkInterface\",\"ec2:DescribeInstances\",\"ec2:DescribeTags\",\"ec2:DescribeNetworkInterfaces\",\"ec2:DescribeInstanceTypes\",\"ec2:DescribeSubnets\",\"ec2:DetachNetworkInterface\",\"ec2:ModifyNetworkInterfaceAttribute\",\"ec2:UnassignPrivateIpAddresses\"]")));

    /** AWS managed policies that live under a path, e.g. service-role/. */
    private static final Map<String, String> PATHS = Map.of();

    private ManagedPolicies() {
    }

    private static String allow(String actions) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":" + actions + ",\"Resource\":\"*\"}]}";
    }

    /** The document of an AWS managed policy ARN (any path), or empty if it is not one we know. */
    public static Optional<String> document(String arn) {
        if (arn == null || !arn.startsWith(PREFIX)) {
            return Optional.empty();
        }
        return Optional.ofNullable(DOCUMENTS.get(name(arn)));
    }

    /** The ARNs of every AWS managed policy in the catalogue. */
    public static List<String> arns() {
        return DOCUMENTS.keySet().stream().sorted().map(n -> PREFIX + PATHS.getOrDefault(n, "") + n).toList();
    }

    /** The policy name: the last path segment of the ARN. */
    public static String name(String arn) {
        return arn.substring(arn.lastIndexOf('/') + 1);
    }
}
